// Builds the Pagefind index from the records UnionPress hands over on stdin (the public view only).
// Usage: node pagefind_index.mjs PAGEFIND_MODULE OUTPUT_DIR < records.json
// Custom records rather than a crawl of the built HTML: a preview build's pages show drafts, and
// the index must never hold one, so the engine decides what is indexed, not the HTML on disk.
import { pathToFileURL } from "node:url";

const [modulePath, outputPath] = process.argv.slice(2);
const pagefind = await import(pathToFileURL(modulePath).href);

function fail(what, errors) {
  process.stderr.write(`${what}: ${errors.join("; ")}\n`);
  process.exit(1);
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { records } = JSON.parse(input);

const { index, errors } = await pagefind.createIndex({ forceLanguage: "zh", writePlayground: false });
if (errors.length || !index) fail("createIndex", errors);
const BATCH = 200; // the service answers in parallel; one at a time would wait on each round trip
for (let start = 0; start < records.length; start += BATCH) {
  const results = await Promise.all(records.slice(start, start + BATCH).map((r) => index.addCustomRecord(r)));
  for (const [offset, result] of results.entries()) {
    if (result.errors.length) fail(`record ${records[start + offset].url}`, result.errors);
  }
}
const written = await index.writeFiles({ outputPath });
if (written.errors.length) fail("writeFiles", written.errors);
await pagefind.close();
