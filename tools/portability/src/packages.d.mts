export declare const CORE_PACKAGES: readonly string[];
export declare function coreEntryUrl(name: string): URL;
export declare function importCores(): Promise<Record<string, Record<string, unknown>>>;
