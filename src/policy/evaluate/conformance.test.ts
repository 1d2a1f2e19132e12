/**
 * @module policy/evaluate/conformance.test — runs the shared conformance suite against every evaluator.
 */
import { runConformance } from './conformance.case.js';
import { compileReferenceEvaluator } from './reference.js';

runConformance('reference', compileReferenceEvaluator);
