// workerd imports a .wasm file as a compiled WebAssembly.Module (wrangler.toml rules: CompiledWasm).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
