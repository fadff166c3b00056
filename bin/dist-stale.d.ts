export declare function distIsStale(repo: string): boolean;
