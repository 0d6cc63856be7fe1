# libFuzzer through the core's real C ABI (wasm/exports.cpp, linked natively): clang-14
# -fsanitize=fuzzer,address,undefined. Built only on request (it needs its own sanitized copy of
# the core). How to run it and what it checks: RELIABILITY.md.
option(AJS_FUZZ "Build the libFuzzer target" OFF)
if(AJS_FUZZ)
  file(GLOB_RECURSE fuzz_core_sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/*.cpp")
  add_executable(fuzz_handle fuzz/fuzz_handle.cpp "${CMAKE_SOURCE_DIR}/wasm/exports.cpp" ${fuzz_core_sources})
  target_include_directories(fuzz_handle PRIVATE "${CMAKE_SOURCE_DIR}/src")
  target_include_directories(fuzz_handle SYSTEM PRIVATE "${BOOST_ONLY_INCLUDE}")
  target_compile_definitions(fuzz_handle PRIVATE BOOST_SYSTEM_DISABLE_THREADS BOOST_JSON_NO_LIB BOOST_CONTAINER_NO_LIB
                             BOOST_NO_EXCEPTIONS BOOST_NO_RTTI BOOST_NO_TYPEID)
  # export_name() is a wasm attribute: ignored (with a warning) on the native target.
  target_compile_options(fuzz_handle PRIVATE -fno-exceptions -fno-rtti -g -O1 -fsanitize=fuzzer,address,undefined
                         -fno-sanitize-recover=undefined -Wno-unknown-attributes)
  target_link_options(fuzz_handle PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
