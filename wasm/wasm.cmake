# Link settings of the two wasm toolchains. Same exports, same ABI (wasm/README.md).
set(AJS_WASM_EXPORTS ajs_abi_version ajs_alloc ajs_free ajs_output_ptr ajs_output_len ajs_configure ajs_handle)

target_compile_definitions(ajs_core PUBLIC NDEBUG)

# Both wasm builds use WebAssembly SIMD (Workers have it, as Chrome, Firefox and Safari 16.4+ do)
# for one thing: the string scans of Boost.JSON's parser and of the core's JSON writer, 16 bytes
# at a time as natively with SSE2 (wasm/sse2_on_simd128/emmintrin.h; without it Boost scans byte
# by byte in wasm). The ~500 KB batch: wasi 3-4 % faster (session 15, BENCHMARKS.md).
target_compile_options(ajs_core PUBLIC -msimd128)
target_compile_definitions(ajs_core PUBLIC BOOST_JSON_USE_SSE2)
target_include_directories(ajs_core SYSTEM BEFORE PUBLIC "${CMAKE_SOURCE_DIR}/wasm/sse2_on_simd128")

add_executable(ajs_edge wasm/exports.cpp)
target_compile_options(ajs_edge PRIVATE -fno-exceptions -fno-rtti)
target_link_libraries(ajs_edge PRIVATE ajs_core)

if(WASI)
  # Reactor: crt1-reactor.o exports _initialize, which runs static constructors; hosts call it
  # once after instantiation. Stripped: Debian's wasm libc++.a carries DWARF.
  # -O3: the request path 4-6 % faster than -O2 in Node's V8 for 5 KB more (session 10, A/B of
  # both modules alternately); -msimd128 alone (the compiler's own vectorizing) gained nothing.
  # -flto (session 11): the core inlined across its files (the plan writer's strings, the JSON
  # writer into the destinations), 8-11 % faster on all three workloads and 8 KB smaller. The browser's Emscripten build stays -O2.
  # -fno-builtin-memcpy/-memmove (session 20): memcpy and memmove calls go to wasm/bulk_memory.cpp's
  # (inlined by LTO), which copies up to 32 bytes with loads and stores; as builtins they were
  # memory.copy, a call out into V8's C++ however short. Single beacon and small events 6-7 %,
  # the batch 3-4 % faster in Node (A/B both orders), batch 4 % and small 2-7 % in workerd; 36 KB larger.
  target_compile_options(ajs_core PUBLIC -O3 -mbulk-memory -flto -fno-builtin-memcpy -fno-builtin-memmove)
  # libc++ declares std::string's members extern templates, so every append, push_back and resize
  # was a call into Debian's libc++.a (wasm objects, outside LTO: never inlined). Instantiated in
  # the core instead: single beacon 8-9 %, batch 6 %, small events 10-12 % faster, 21 KB larger
  # (session 17, A/B both orders). Not in the Emscripten build: the browser's download grows
  # 8.6 KB gzip (146 of its 150 KB line) for speed no person planning one event notices.
  target_compile_definitions(ajs_core PUBLIC _LIBCPP_DISABLE_EXTERN_TEMPLATE)
  # Profile-guided (wasm/pgo/README.md): compiled with the counts of a training run of the native
  # build over the fidelity corpus, which scripts/build.sh makes first. The ~500 KB batch 8-10 %
  # faster, 2,500 small events 5-7 % (session 16). The native run's libstdc++ names are matched to
  # libc++'s by the remapping file; functions whose bodies differ between the two (the standard
  # library's own) keep no profile, which is what the two warnings turned off would report.
  # -enable-value-profiling (session 21; clang's front-end instrumentation leaves it off): the
  # training also counts the targets of indirect calls, so that LTO promotes the hot one to a direct
  # call. Boost.JSON allocates through a virtual memory_resource: 99.8 % of those calls are the
  # request's arena (json/arena.hpp), now a direct, inlinable call behind a check. Single beacon and
  # batch 2-3 % faster (A/B both orders), small events within noise.
  set(AJS_PGO_REMAP "${CMAKE_SOURCE_DIR}/wasm/pgo/libstdcxx_to_libcxx.remap")
  if(NOT EXISTS "${AJS_PGO_PROFILE}")
    message(FATAL_ERROR "${AJS_PGO_PROFILE}: missing. scripts/build.sh wasi trains it before the wasi build.")
  endif()
  target_compile_options(ajs_core PUBLIC "-fprofile-instr-use=${AJS_PGO_PROFILE}" "-fprofile-remapping-file=${AJS_PGO_REMAP}" -mllvm -enable-value-profiling
                                         -Wno-profile-instr-unprofiled -Wno-profile-instr-out-of-date)
  # A new profile compiles the module again, every file of it: LTO refuses to link objects of two
  # profiles (the build replaces it only when its counts change).
  set_property(SOURCE ${AJS_CORE_SOURCES} wasm/exports.cpp wasm/bulk_memory.cpp APPEND
               PROPERTY OBJECT_DEPENDS "${AJS_PGO_PROFILE}" "${AJS_PGO_REMAP}")
  target_sources(ajs_edge PRIVATE wasm/bulk_memory.cpp)
  # The link: LTO's optimization at -O3, and no wasm-opt after it (session 23, A/B both orders
  # against the module as it was: batch 2.6-3.2 %, small events 1.5-2.0 %, single 0.2-3.3 % faster;
  # 53 KB larger, 10 KB gzip). clang 14 passes no level to wasm-ld, whose default is -O2, and
  # runs `wasm-opt -O<n>` on what it links for any -O<n> but -O0 (toolchain.md): code V8
  # compiles less well. -O0 here only keeps the driver from running it; -Wl,--lto-O3 sets LTO's
  # level. --strip-all drops the name section (wasm-opt dropped it before).
  target_link_options(ajs_edge PRIVATE -O0 -Wl,--lto-O3 -flto -mbulk-memory -msimd128 -mexec-model=reactor -Wl,--strip-all
                      -Wl,--gc-sections -Wl,-z,stack-size=262144)
  set_target_properties(ajs_edge PROPERTIES OUTPUT_NAME "ajs_edge" SUFFIX ".wasm")
elseif(EMSCRIPTEN)
  # -O2, not -Oz: emcc's -Oz turns off inlining and runs about 2x slower (toolchain.md §3).
  list(TRANSFORM AJS_WASM_EXPORTS PREPEND "_" OUTPUT_VARIABLE em_exports)
  list(JOIN em_exports "," em_exports)
  target_compile_options(ajs_core PUBLIC -O2)
  target_link_options(ajs_edge PRIVATE -O2 -msimd128 -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH
                      -sEXPORTED_FUNCTIONS=${em_exports} -sTOTAL_STACK=262144)
  set_target_properties(ajs_edge PROPERTIES OUTPUT_NAME "ajs_edge" SUFFIX ".wasm")
endif()

# Code that runs once per isolate (reading the configuration, each destination's settings) is
# compiled for size: a third of the growth of issue #17 was the config reader's, and the browser's
# module has a 150 KB line (BENCHMARKS.md). The request path stays at -O2.
if(WASI OR EMSCRIPTEN)
  file(GLOB AJS_COLD_SOURCES "${CMAKE_SOURCE_DIR}/src/config/*.cpp" "${CMAKE_SOURCE_DIR}/src/route/geo_rules.cpp"
       "${CMAKE_SOURCE_DIR}/src/destinations/*/*_settings.cpp")
  set_source_files_properties(${AJS_COLD_SOURCES} TARGET_DIRECTORY ajs_core PROPERTIES COMPILE_OPTIONS "-Os")
endif()
