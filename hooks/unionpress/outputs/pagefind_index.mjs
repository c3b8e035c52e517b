// Builds the Pagefind index from the records UnionPress hands over on stdin (the public view only).
// Usage: node pagefind_index.mjs PAGEFIND_MODULE OUTPUT_DIR < records.json > words.json
// Custom records rather than a crawl of the built HTML: a preview build's pages show drafts, and
// the index must never hold one, so the engine decides what is indexed, not the HTML on disk.
// `records` make the index a first query loads (OUTPUT_DIR); `shelves`, when the site is large, the
// rest as [number, records] pairs, each an index in OUTPUT_DIR/archive/NUMBER that the page merges
// when it needs it (search.first_part, search.shelves); a shelf is left out when outputs/search.py has
// its index from an earlier build.
import { pathToFileURL } from "node:url";

const [modulePath, outputPath] = process.argv.slice(2);
const pagefind = await import(pathToFileURL(modulePath).href);

function fail(what, errors) {
  process.stderr.write(`${what}: ${errors.join("; ")}\n`);
  process.exit(1);
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { records, shelves = [] } = JSON.parse(input);

async function write(part, path) {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: "zh", writePlayground: false });
  if (errors.length || !index) fail("createIndex", errors);
  const BATCH = 200; // the service answers in parallel; one at a time would wait on each round trip
  for (let start = 0; start < part.length; start += BATCH) {
    const results = await Promise.all(part.slice(start, start + BATCH).map((r) => index.addCustomRecord(r)));
    for (const [offset, result] of results.entries()) {
      if (result.errors.length) fail(`record ${part[start + offset].url}`, result.errors);
    }
  }
  const written = await index.writeFiles({ outputPath: path });
  if (written.errors.length) fail("writeFiles", written.errors);
  await index.deleteIndex(); // the service holds every index it made until then: one at a time
}

if (records) await write(records, outputPath); // null: outputs/search.py has the first part's index already
for (const [number, part] of shelves) await write(part, `${outputPath}/archive/${number}`);
await pagefind.close();

// The site's vocabulary for the pinyin table (search.vocabulary): every Chinese word of two or more
// characters, segmented by ICU as the index and the browser segment it, with the number of records
// holding it; and each pair of neighbouring one-character words (书|屋: ICU knows no 书屋), which the
// build keeps as a word when many records hold it.
const HAN = /^[\u3400-\u9fff]+$/u;
const LATIN = /^[a-z0-9]*[a-z][a-z0-9]*$/u; // as search.js folds a query: NFKC, lower case
const LETTER = /[A-Za-z\uff21-\uff3a\uff41-\uff5a]/u; // half- or full-width: only such a word is folded
const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
const count = (table, key) => table.set(key, (table.get(key) || 0) + 1);
const sorted = (table) => Object.fromEntries([...table].sort((a, b) => (a[0] < b[0] ? -1 : 1)));

// Each part's own counts: the second part's are kept with its index between builds (outputs/search.py).
function vocabulary(part) {
  const words = new Map();
  const pairs = new Map();
  const latin = new Map(); // Latin words the pages hold (cnc, 5g): search.js searches a Latin query as written only then
  for (const record of part) {
    const seen = new Set();
    const paired = new Set();
    const written = new Set();
    let previous = "";
    for (const { segment, isWordLike } of segmenter.segment(record.content)) {
      const han = isWordLike && HAN.test(segment);
      if (isWordLike && !han && LETTER.test(segment)) {
        const folded = segment.normalize("NFKC").toLowerCase();
        if (LATIN.test(folded)) written.add(folded);
      }
      if (han && segment.length >= 2 && segment.length <= 8) seen.add(segment);
      if (han && segment.length === 1 && previous) paired.add(previous + segment);
      previous = han && segment.length === 1 ? segment : "";
    }
    for (const word of seen) count(words, word);
    for (const pair of paired) count(pairs, pair);
    for (const word of written) count(latin, word);
  }
  return { words: sorted(words), pairs: sorted(pairs), latin: sorted(latin) };
}
process.stdout.write(JSON.stringify({
  first: records ? vocabulary(records) : {},
  shelves: Object.fromEntries(shelves.map(([number, part]) => [number, vocabulary(part)])),
}));
