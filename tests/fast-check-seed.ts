/**
 * Property tests draw from one seed so that CI is repeatable; FC_SEED=random (or a number) explores
 * other draws, and a failure prints its seed and path to replay it.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED === 'random' ? Date.now() : Number(process.env.FC_SEED ?? 20_261_203);
fc.configureGlobal({ seed });
