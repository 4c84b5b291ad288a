// base45-js ships a declaration for the wrong module name ('base45'); this one names the package.
declare module 'base45-js' {
  export function encode(data: Uint8Array): string;
  export function decode(text: string): Buffer;
}
