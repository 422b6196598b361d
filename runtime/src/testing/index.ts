// The `charter test` runner.
export { jsonOf, runTestFile, runTestText, type Expected, type ExpectationResult, type TestRun } from "./run-tests.js";
