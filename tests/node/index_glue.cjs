// Index asgibdd's editor glue with the Cucumber extension's own indexer
// (@cucumber/language-service, tree-sitter in WebAssembly) and match step texts with the
// expressions it found, as the extension does for a feature file.
//
//   node index_glue.cjs GLUE_FILE < texts.json
//
// texts.json: a JSON array of step texts. Prints a JSON object: `expressions` (how many
// step definitions the indexer found), `errors` (its errors), and `matches`: for each
// text, the lines (in GLUE_FILE) of the step definitions whose expression matches it.
const fs = require('fs');
const path = require('path');
const { ExpressionBuilder } = require('@cucumber/language-service');
const { WasmParserAdapter } = require('@cucumber/language-service/wasm');

async function main() {
  const glue = process.argv[2];
  const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
  // The package's main module is dist/cjs/src/index.js; its .wasm files are in dist/.
  const main = require.resolve('@cucumber/language-service');
  const adapter = new WasmParserAdapter(path.resolve(path.dirname(main), '..', '..'));
  await adapter.init();
  const result = new ExpressionBuilder(adapter).build(
    [{ languageName: 'python', uri: `file://${path.resolve(glue)}`, content: fs.readFileSync(glue, 'utf8') }],
    [],
  );
  const links = result.expressionLinks;
  const matches = texts.map((text) =>
    links
      .filter((link) => link.expression.match(text) !== null)
      .map((link) => link.locationLink.targetRange.start.line + 1),
  );
  console.log(JSON.stringify({ expressions: links.length, errors: result.errors.map(String), matches }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
