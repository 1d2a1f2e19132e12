/**
 * @module policy/evaluate/conformance.test — runs the shared conformance suite against every evaluator:
 * the naive reference and the fast compiled one.
 */
import { runConformance } from './conformance.case.js';
import { compileEvaluator, compileReferenceEvaluator } from './index.js';

runConformance('reference', compileReferenceEvaluator);
runConformance('fast', compileEvaluator);
