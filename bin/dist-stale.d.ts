export declare const MANIFEST: string;
export declare function sourceFiles(root: string): string[];
export declare function sourceStamp(root: string): Record<string, { size: number; mtimeMs: number; sha256: string }>;
export declare function distState(root: string): { state: 'missing' | 'fresh' } | { state: 'stale'; changed: string[] };
export declare function distIsStale(root: string): boolean;
export declare function distProblem(root: string): string | undefined;
