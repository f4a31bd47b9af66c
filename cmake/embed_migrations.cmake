# Writes a C++ file defining `const std::vector<sportelli::pg::Migration>& <NAMESPACE>::Migrations()`
# from the SQL files in FILES (named V<version>__<description>.sql). Run by
# sportelli_embed_migrations() at build time.
set(body "")
string(REPLACE "|" ";" FILES "${FILES}")
foreach(file IN LISTS FILES)
  get_filename_component(name ${file} NAME)
  string(REGEX MATCH "^V([0-9]+)__(.+)\\.sql$" matched ${name})
  if(NOT matched)
    message(FATAL_ERROR "migration file name must be V<version>__<description>.sql: ${name}")
  endif()
  set(version ${CMAKE_MATCH_1})
  math(EXPR version "${version}")
  file(READ ${file} sql)
  string(FIND "${sql}" ")SQL\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${name} contains the raw-string delimiter )SQL\"")
  endif()
  string(APPEND body "      {${version}, \"${name}\", R\"SQL(${sql})SQL\"},\n")
endforeach()
file(WRITE ${OUT}.tmp
"// Generated from the service's migrations/ folder by cmake/embed_migrations.cmake. Do not edit.
#include <vector>

#include \"sportelli/pg/migrations.h\"

namespace ${NAMESPACE} {

const std::vector<sportelli::pg::Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<sportelli::pg::Migration>{
${body}  };
  return *kMigrations;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
