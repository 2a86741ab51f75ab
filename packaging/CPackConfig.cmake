# packaging/CPackConfig.cmake — install layout and .deb / .rpm packages.
#
# Included at the end of the top-level CMakeLists.txt (after every target
# exists). Owns: where each shipped file goes under the install prefix, the
# package metadata (name, version, dependencies) and the maintainer scripts
# that register the driver with unixODBC on install and unregister it on
# removal. Build packages with packaging/build.sh BUILD_DIR, which makes a
# release build without sanitizers first (an ASan-linked driver would not
# load into a normal program on the user's machine).
#
# Layout (prefix /usr in packages):
#   lib/x86_64-linux-gnu/odbc/libsqlodbc.so, libsqlodbcS.so  (Debian's ODBC driver dir)
#   share/libsql-odbc/  odbcinst.ini (filled for this layout), odbcinst.ini.in,
#                       odbc.ini.example, register.sh
#   share/man/man7/libsql-odbc.7.gz, share/man/man1/libsql-odbc.1.gz
#   share/doc/libsql-odbc/  README.md, docs/*.md
#   bin/libsql-odbc     the operator CLI, when tools/libsql-odbc.c is built

set(LSQ_PKG_NAME libsql-odbc)
set(LSQ_ODBC_LIBDIR lib/x86_64-linux-gnu/odbc)
set(LSQ_PKG_PREFIX /usr)
set(LSQ_PKG_DATADIR share/${LSQ_PKG_NAME})
set(LSQ_PKG_DOCDIR share/doc/${LSQ_PKG_NAME})

# The driver template as installed: absolute paths of the packaged libraries,
# so postinst can hand it straight to `odbcinst -i -d -f`.
set(DRIVER_PATH ${LSQ_PKG_PREFIX}/${LSQ_ODBC_LIBDIR}/libsqlodbc.so)
set(SETUP_PATH ${LSQ_PKG_PREFIX}/${LSQ_ODBC_LIBDIR}/libsqlodbcS.so)
configure_file(${CMAKE_SOURCE_DIR}/odbcinst/odbcinst.ini.in
               ${CMAKE_BINARY_DIR}/packaging/odbcinst.ini @ONLY)
unset(DRIVER_PATH)
unset(SETUP_PATH)

install(FILES ${CMAKE_BINARY_DIR}/packaging/odbcinst.ini
              ${CMAKE_SOURCE_DIR}/odbcinst/odbcinst.ini.in
              ${CMAKE_SOURCE_DIR}/odbcinst/odbc.ini.example
        DESTINATION ${LSQ_PKG_DATADIR})
install(PROGRAMS ${CMAKE_SOURCE_DIR}/odbcinst/register.sh DESTINATION ${LSQ_PKG_DATADIR})

# Documentation.
if(EXISTS ${CMAKE_SOURCE_DIR}/README.md)
  install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${LSQ_PKG_DOCDIR})
endif()
if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/docs)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${LSQ_PKG_DOCDIR}
          FILES_MATCHING PATTERN "*.md")
endif()

# Man pages, compressed as Debian policy asks (gzip -n: reproducible).
file(GLOB LSQ_MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.[1-9])
set(LSQ_MAN_GZ "")
foreach(page ${LSQ_MAN_PAGES})
  get_filename_component(fname ${page} NAME)
  string(REGEX REPLACE ".*\\.([1-9])$" "\\1" section ${fname})
  set(gz ${CMAKE_BINARY_DIR}/packaging/man/${fname}.gz)
  add_custom_command(OUTPUT ${gz}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/man
                     COMMAND gzip -9n -c ${page} > ${gz}
                     DEPENDS ${page} VERBATIM)
  list(APPEND LSQ_MAN_GZ ${gz})
  install(FILES ${gz} DESTINATION share/man/man${section})
endforeach()
if(LSQ_MAN_GZ)
  add_custom_target(lsq_man_pages ALL DEPENDS ${LSQ_MAN_GZ})
endif()

# The operator CLI (colleague's tools/libsql-odbc.c), when it exists.
if(TARGET libsql-odbc)
  install(TARGETS libsql-odbc RUNTIME DESTINATION bin)
endif()

# ---------- package metadata ---------------------------------------------
set(CPACK_PACKAGE_NAME ${LSQ_PKG_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "libsql-odbc project")
set(CPACK_PACKAGE_CONTACT "libsql-odbc maintainers <libsql-odbc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "ODBC driver for libSQL/Turso databases with embedded replicas and local SQLite files")
set(CPACK_PACKAGE_DESCRIPTION
    "libsql-odbc is an ODBC driver (unixODBC) for SQLite files and libSQL/Turso databases.
 A DSN names a local SQLite file and, optionally, a remote primary: reads are
 answered from the local replica, writes are forwarded to the primary and the
 replica is kept up to date by pulling changed pages. Installing the package
 registers the driver as libSQL in odbcinst.ini.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${LSQ_PKG_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)

# Maintainer scripts: filled with the template path, kept executable.
set(LSQ_TEMPLATE ${LSQ_PKG_PREFIX}/${LSQ_PKG_DATADIR}/odbcinst.ini)
set(LSQ_DRIVER_SO ${LSQ_PKG_PREFIX}/${LSQ_ODBC_LIBDIR}/libsqlodbc.so)
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/${script}.in
                 ${CMAKE_BINARY_DIR}/packaging/scripts/${script} @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                  GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

# Debian: libsql-odbc_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_FILE_NAME ${LSQ_PKG_NAME}_${PROJECT_VERSION}_amd64.deb)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libsqlite3-0 (>= 3.37), libodbc2, libodbcinst2, odbcinst, libcurl4, libcjson1, libssl3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "unixodbc")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/scripts/postinst
    ${CMAKE_BINARY_DIR}/packaging/scripts/prerm
    ${CMAKE_BINARY_DIR}/packaging/scripts/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM: same file layout (a Debian-style multiarch path: an RPM for Fedora/RHEL
# would use /usr/lib64; the maintainer scripts are shared).
set(CPACK_RPM_PACKAGE_ARCHITECTURE x86_64)
set(CPACK_RPM_FILE_NAME ${LSQ_PKG_NAME}-${PROJECT_VERSION}-1.x86_64.rpm)
set(CPACK_RPM_PACKAGE_LICENSE "MIT")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Libraries")
set(CPACK_RPM_PACKAGE_REQUIRES "unixODBC, sqlite-libs, libcurl, cjson, openssl-libs")
set(CPACK_RPM_PACKAGE_AUTOREQ OFF)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${CMAKE_BINARY_DIR}/packaging/scripts/postinst)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_BINARY_DIR}/packaging/scripts/prerm)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_BINARY_DIR}/packaging/scripts/postrm)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/odbc /usr/share/man /usr/share/man/man1
    /usr/share/man/man7)
# No /usr/lib/.build-id links: they would clash between packages on RPM systems.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")

include(CPack)
