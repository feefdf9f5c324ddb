// Renders protocol comparison pages in headless Chromium through the DevTools
// protocol (playwright-core, driving Debian's /usr/bin/chromium, as
// render.mjs does for the patient report) and reports what a reader would
// meet: console errors, requests leaving the page, SVGs without a title, the
// forest plot's rows, the data tables as text, which section comes first,
// horizontal scroll at 360 px, and a PDF printed on A4. Keeps a screenshot
// and the PDF of each page.
//
//   node render_comparison.mjs JOBS_JSON   JOBS_JSON: {"jobs": [{"url","token","name"}], "artifacts": DIR}
// Prints one JSON object per job on stdout.
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const { jobs, artifacts } = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  for (const job of jobs) {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      extraHTTPHeaders: { Authorization: "Bearer " + job.token },
    });
    const page = await context.newPage();
    const consoleErrors = [];
    const requests = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        consoleErrors.push(message.type() + ": " + message.text());
      }
    });
    page.on("pageerror", (error) => consoleErrors.push("pageerror: " + error.message));
    page.on("request", (request) => requests.push(request.url()));
    const response = await page.goto(job.url, { waitUntil: "load" });
    const facts = await page.evaluate(() => {
      const table = (id) =>
        [...document.querySelectorAll(`#${id} tbody tr`)].map((row) => ({
          group: row.dataset.group || null,
          questionnaire: row.dataset.questionnaire || null,
          withheld: row.classList.contains("withheld"),
          difference: row.classList.contains("difference"),
          cells: [...row.cells].map((cell) => cell.textContent.trim()),
          estimates: [...row.querySelectorAll(".estimate")].map((cell) => cell.textContent.trim()),
        }));
      return {
        title: document.title,
        firstSection: document.querySelector("main")?.firstElementChild?.id || "",
        caveat: document.querySelector("#caveat")?.textContent || "",
        sectionOrder: [...document.querySelectorAll("main > section, main > p")].map((e) => e.id),
        svgs: [...document.querySelectorAll("svg")].map((svg) => ({
          title: svg.querySelector(":scope > title")?.textContent || "",
          desc: svg.querySelector(":scope > desc")?.textContent || "",
          width: svg.getBoundingClientRect().width,
          rows: [...svg.querySelectorAll("g.row")].map((row) => ({
            label: row.dataset.label,
            kind: row.classList.contains("text") ? "text"
                : row.classList.contains("difference") ? "difference" : "estimate",
            points: row.querySelectorAll(".point").length,
            value: row.querySelector(".value")?.textContent || "",
            text: row.querySelector(".withheld")?.textContent || "",
          })),
        })),
        noPlot: [...document.querySelectorAll(".no-plot")].map((e) => e.id),
        painTable: table("pain-table"),
        ratesTable: table("rates-table"),
        baselineTable: table("baseline-table"),
        questionnaireTable: table("questionnaire-table"),
        overridesTable: table("overrides-table"),
        evaluationTable: table("evaluation-table"),
        evaluationNone: !!document.querySelector("#evaluation-none"),
        totals: document.querySelector("#totals")?.textContent || "",
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        scripts: document.scripts.length,
      };
    });
    await page.screenshot({ path: join(artifacts, job.name + "-360px.png"), fullPage: true });
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.screenshot({ path: join(artifacts, job.name + "-1000px.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
    writeFileSync(join(artifacts, job.name + ".pdf"), pdf);
    const pdfPages = (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
    console.log(JSON.stringify({
      name: job.name,
      status: response.status(),
      contentType: response.headers()["content-type"] || "",
      csp: response.headers()["content-security-policy"] || "",
      consoleErrors,
      requests,
      pdfPages,
      pdfBytes: pdf.length,
      ...facts,
    }));
    await context.close();
  }
} finally {
  await browser.close();
}
