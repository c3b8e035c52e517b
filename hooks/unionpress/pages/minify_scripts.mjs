// Minifies the pages' own scripts with Terser (BSD-2-Clause, pinned in package.json): reads
// {"name": "source", ...} on stdin, writes {"name": "minified", ...}. Each script is an ES module
// (search.js imports Pagefind's), so names at its top level may be mangled too.
// Usage: node minify_scripts.mjs TERSER_MODULE < sources.json > minified.json
import { pathToFileURL } from "node:url";

const [modulePath] = process.argv.slice(2);
const { minify } = await import(pathToFileURL(modulePath).href);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = {};
for (const [name, source] of Object.entries(JSON.parse(input))) {
  const { code } = await minify(source, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  out[name] = code;
}
process.stdout.write(JSON.stringify(out));
