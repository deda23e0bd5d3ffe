// Runs the MDN HTTP Observatory's tests against a site on any port.
// The package's own CLI (src/scan.js) only scans ports 80/443; this calls the
// same retriever, tests and grader with the ports we serve on.
// Usage: node scan.mjs <package dir> <hostname> <http port> [https port] [path]
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, hostname, httpPort, httpsPort = "1", pagePath = "/"] = process.argv.slice(2);
const src = (file) => pathToFileURL(path.join(pkgDir, "src", file)).href;

const { retrieve } = await import(src("retriever/retriever.js"));
const { ALL_TESTS, NUM_TESTS } = await import(src("constants.js"));
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(src("grader/charts.js"));
const { getGradeForScore, getScoreModifier } = await import(src("grader/grader.js"));

const r = await retrieve(hostname, { httpPort, httpsPort, path: pagePath });
if (!r.responses.auto) {
  console.log(JSON.stringify({ error: "site did not answer" }));
  process.exit(1);
}
let withExtra = 100;
let uncurved = 100;
let passed = 0;
const tests = {};
for (const test of ALL_TESTS) {
  const result = test(r);
  const modifier = result.result ? getScoreModifier(result.result) : 0;
  withExtra += modifier;
  if (modifier < 0) uncurved += modifier;
  passed += result.pass ? 1 : 0;
  tests[result.constructor.name] = { pass: result.pass, result: result.result, modifier };
}
const final = getGradeForScore(uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved);
console.log(
  JSON.stringify({
    scan: { grade: final.grade, score: final.score, passed, quantity: NUM_TESTS, status: r.responses.auto.status },
    tests,
  })
);
