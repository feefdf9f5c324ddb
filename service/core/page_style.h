// The style shared by the service's HTML pages (the patient report, the
// protocol comparison): one column that fits a 360 px phone, A4 when printed,
// no fonts fetched.
#pragma once

namespace scoliomassage::core {

// A4 portrait when printed; one column that fits a 360 px phone (the SVGs
// scale to the width, tables wrap their cells instead of scrolling).
inline constexpr char kPageStyle[] = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;
 background:#fff;margin:0 auto;max-width:60rem;padding:1rem;line-height:1.45;font-size:1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #1a1a1a}
p,li{overflow-wrap:anywhere}
.headline{font-size:1.15rem;font-weight:600}
.note{color:#444;font-size:.9rem}
.caveat{border-left:4px solid #E69F00;padding:.3rem .6rem;background:#fff8e6}
.warning,.critical{border-left:4px solid #E69F00;padding:.3rem .6rem;margin:.4rem 0;list-style:none}
.critical{border-left-color:#D55E00;background:#fdf0e8}
ul.cards{padding:0}
figure{margin:0}
svg{display:block;width:100%;height:auto;max-width:42rem}
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.85rem;margin-top:.6rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #ccc;padding:.25rem .3rem;text-align:left;vertical-align:top;overflow-wrap:break-word;hyphens:auto}
th{background:#f2f2f2}
tr.gap td{color:#555;font-style:italic;background:#f7f7f7}
footer{margin-top:2rem;font-size:.8rem;color:#444}
@media (max-width:30rem){body{padding:.5rem}table{font-size:.7rem}th,td{padding:.15rem}}
@page{size:A4 portrait;margin:14mm 12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}
 figure{break-inside:avoid}tr{break-inside:avoid}table{font-size:8.5pt}}
)css";

}  // namespace scoliomassage::core
