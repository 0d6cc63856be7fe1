add_executable(core_bench bench/core_bench.cpp)
target_link_libraries(core_bench PRIVATE ajs_core)
target_compile_options(core_bench PRIVATE -O2)
