;; A stand-in core that configures fine and traps in every ajs_handle: for testing that the host
;; recovers from a trap by instantiating a fresh core.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"demo\":true,\"secrets\":[]}")
  (func (export "ajs_abi_version") (result i32) (i32.const 2))
  (func (export "ajs_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "ajs_free") (param i32))
  (func (export "ajs_output_ptr") (result i32) (i32.const 16))
  (func (export "ajs_output_len") (result i32) (i32.const 26))
  (func (export "ajs_configure") (param i32 i32) (result i32) (i32.const 0))
  (func (export "ajs_handle") (param i32 i32 i32 i32) (result i32) (unreachable)))
