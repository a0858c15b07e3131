// `npm run coverage`: line and branch coverage of the shipped contracts. Test doubles (contracts/test) are not
// product code. viaIR builds need the Yul optimizer configured for instrumented code.
module.exports = {
  skipFiles: ["test/"],
  configureYulOptimizer: true,
  istanbulReporter: ["text-summary", "json-summary", "html"],
};
