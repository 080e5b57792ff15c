// Read a Cucumber JSON report as two real consumers do, and print what they understood.
//
//   node read_cucumber_json.cjs REPORT.json HTML_OUT
//
// - @cucumber/cucumber-json-converter validates the report against the JSON Schemas of
//   the Cucumber implementations (retrofitted to their outputs, which carry no
//   attachments: the steps' embeddings are set aside for it) and converts it;
// - cucumber-html-reporter (what Jenkins pipelines and many teams publish) renders it,
//   embeddings included, to HTML_OUT.
// Prints {"implementation", "features", "scenarios", "embeddings", "html"} as JSON.
const fs = require('fs');
const { convert } = require('@cucumber/cucumber-json-converter');
const reporter = require('cucumber-html-reporter');

const [report, htmlOut] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(report, 'utf8'));
let embeddings = 0;
for (const feature of data) {
  for (const element of feature.elements) {
    for (const step of element.steps) {
      if (step.embeddings) {
        embeddings += step.embeddings.length;
        delete step.embeddings;
      }
    }
  }
}
const converted = convert(data);
const scenarios = converted.features
  .flatMap((feature) => feature.elements)
  .filter((element) => element.type === 'scenario').length;
const log = console.log;
console.log = () => {}; // the reporter announces itself on stdout
reporter.generate({
  theme: 'bootstrap',
  jsonFile: report,
  output: htmlOut,
  reportSuiteAsScenarios: true,
  launchReport: false,
});
console.log = log;
console.log(
  JSON.stringify({
    implementation: converted.implementation,
    features: converted.features.length,
    scenarios,
    embeddings,
    html: fs.statSync(htmlOut).size,
  }),
);
