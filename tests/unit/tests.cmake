# Native doctest unit tests, one file per unit, discovered by ctest.
find_package(doctest REQUIRED)
include(doctest)
file(GLOB AJS_UNIT_TESTS CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/unit/*.cpp")
add_executable(unit_tests ${AJS_UNIT_TESTS})
target_link_libraries(unit_tests PRIVATE ajs_core doctest::doctest)
# The core is built without exceptions; the tests alone use them, so that a failed REQUIRE ends
# its test case (doctest throws). The Boost macros stay the same, so the headers agree.
target_compile_options(unit_tests PRIVATE -fexceptions -frtti)
target_include_directories(unit_tests PRIVATE "${CMAKE_SOURCE_DIR}/tests/unit")
enable_testing()
doctest_discover_tests(unit_tests)
