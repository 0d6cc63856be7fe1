# The C ABI of the wasm modules (wasm/exports.cpp) linked natively, for tests/core/build_parity.test.mjs:
# the native build's output for the same calls as the wasm builds'.
add_executable(abi_host tests/native/abi_host.cpp wasm/exports.cpp)
target_link_libraries(abi_host PRIVATE ajs_core)
# export_name() is a wasm attribute: ignored (with a warning) on the native target.
target_compile_options(abi_host PRIVATE -fno-exceptions -fno-rtti -Wno-unknown-attributes)
