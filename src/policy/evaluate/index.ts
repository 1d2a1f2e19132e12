/**
 * @module policy/evaluate — compile a policy set once into an {@link Evaluator}, then decide
 * connections per direction with the rules that decided them. The only public surface of
 * `src/policy/evaluate/`; import from here.
 */
export type {
  CompileEvaluator,
  Connection,
  ConnectionProtocol,
  Decision,
  DirectionVerdict,
  Endpoint,
  EvaluateOptions,
  Evaluator,
  PortSegments,
  RuleRef,
  RuleSection,
  Verdict,
} from './types.js';
export { CONNECTION_PROTOCOLS } from './types.js';
export { compileEvaluator } from './fast/compile.js';
export { compileReferenceEvaluator } from './reference.js';
