export declare function region(file: string, name: string): string;
export declare function render(readme: string): string;
export declare function markers(readme: string): string[];
export declare function importsUsedBy(text: string, body: string): string;
