export function readJsonl(path: string | URL): any[];
