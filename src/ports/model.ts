// The `model` and `models` port types: a fitted model as plain JSON in the broom layout
// (NODES.md), one or a list. No NaN/Infinity: use null.
import { jsonPortType } from '../graph/codec.js';

export type ModelJson = { estimator: string; [key: string]: unknown };

export const modelPort = jsonPortType<ModelJson>('model', (v) => (v && typeof v === 'object' && !Array.isArray(v) ? undefined : 'expected a model object'), { module: import.meta.url });
export const modelsPort = jsonPortType<ModelJson[]>('models', (v) => (Array.isArray(v) ? undefined : 'expected an array of models'), { module: import.meta.url });
