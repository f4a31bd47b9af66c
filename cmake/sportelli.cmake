# Helpers shared by every library and service, so that each CMakeLists.txt stays a few lines.

# sportelli_library(NAME <name> SOURCES ... DEPS ...)
# A static library `sportelli_<name>` (alias sportelli::<name>) whose public headers live in
# libs/<name>/include/sportelli/<name>/.
function(sportelli_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_library(sportelli_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(sportelli::${ARG_NAME} ALIAS sportelli_${ARG_NAME})
  target_include_directories(sportelli_${ARG_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(sportelli_${ARG_NAME} PUBLIC ${ARG_DEPS})
  target_compile_options(sportelli_${ARG_NAME} PRIVATE ${SPORTELLI_WARNINGS})
endfunction()

# sportelli_test(NAME <name> SOURCES ... DEPS ... [LABELS ...] [SERIAL])
# A GoogleTest binary registered with CTest; LABELS lets `ctest -L unit|service|integration`
# select a layer of the pyramid. SERIAL marks tests that stop or restart the shared PostgreSQL
# or Redis: CTest runs them alone.
function(sportelli_test)
  cmake_parse_arguments(ARG "SERIAL" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT SPORTELLI_BUILD_TESTS)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${ARG_NAME} PRIVATE ${SPORTELLI_WARNINGS})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set(serial FALSE)
  if(ARG_SERIAL)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES RUN_SERIAL ${serial} TIMEOUT 300
    DISCOVERY_TIMEOUT 60)
  # Labels are applied after discovery, from a file CTest includes after the discovered tests:
  # gtest_discover_tests(PROPERTIES ...) would flatten a list such as "integration;disruptive"
  # into separate arguments and shift every property after it.
  set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}_labels.cmake)
  file(WRITE ${labels_file}
    "if(DEFINED ${ARG_NAME}_TESTS)\n"
    "  set_tests_properties(\${${ARG_NAME}_TESTS} PROPERTIES LABELS \"${ARG_LABELS}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_file})
endfunction()

# sportelli_embed_migrations(TARGET <target> DIR <dir>)
# Compiles the versioned SQL files of a service into the binary, so the `migrate` subcommand
# needs no files beside it (read-only container images, Kubernetes Jobs).
function(sportelli_embed_migrations)
  cmake_parse_arguments(ARG "" "TARGET;DIR;NAMESPACE" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS ${ARG_DIR}/V*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_migrations.cc)
  # A ';' list on a command line is split by the shell: pass the files '|'-separated.
  string(REPLACE ";" "|" files_arg "${sql_files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "Embedding migrations for ${ARG_TARGET}"
    VERBATIM)
  target_sources(${ARG_TARGET} PRIVATE ${out})
endfunction()

# sportelli_service(NAME <svc> SOURCES ... DEPS ...)
# Declares a service from its folder, services/<svc>/: its pure domain library (domain/, when
# present), the library `sportelli_<svc>_lib` of everything but main.cc (so service and
# integration tests link the real thing) with the migrations of migrations/ compiled in
# (namespace sportelli::<svc>), the binary `sportelli-<svc>`, and its tests (tests/).
function(sportelli_service)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/domain/CMakeLists.txt)
    add_subdirectory(domain)
  endif()
  set(lib sportelli_${ARG_NAME}_lib)
  add_library(${lib} STATIC ${ARG_SOURCES})
  target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${lib} PRIVATE ${SPORTELLI_WARNINGS})
  target_link_libraries(${lib} PUBLIC ${ARG_DEPS} sportelli::server)
  sportelli_embed_migrations(TARGET ${lib} DIR ${CMAKE_CURRENT_SOURCE_DIR}/migrations
    NAMESPACE sportelli::${ARG_NAME})

  add_executable(sportelli-${ARG_NAME} main.cc)
  target_compile_options(sportelli-${ARG_NAME} PRIVATE ${SPORTELLI_WARNINGS})
  target_link_libraries(sportelli-${ARG_NAME} PRIVATE ${lib})
  install(TARGETS sportelli-${ARG_NAME} RUNTIME DESTINATION bin)

  if(SPORTELLI_BUILD_TESTS AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/tests/CMakeLists.txt)
    add_subdirectory(tests)
  endif()
endfunction()
