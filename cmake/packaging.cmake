# Installing and packaging. `cmake --install` puts everything under one
# prefix; `cpack -G DEB` (from the build folder) makes three Debian packages:
#   scoliomassage               the daemon, the CLI, scoliomassage-admin,
#                               scoliomassage-import, the catalog and data
#                               files, the systemd unit; a system user
#   libscoliomassage-plugin1    the plugin runtime (.so.1 and .so.1.x.y)
#   libscoliomassage-plugin-dev headers, .so namelink, pkg-config, CMake package
# Install rules without a component (the service's) are "server"
# (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME, set before add_subdirectory).

set(SCOLIOMASSAGE_LICENSE "LicenseRef-scoliomassage-unreleased" CACHE STRING
    "SPDX license expression written into the packages' copyright files")
set(SCOLIOMASSAGE_COPYRIGHT "the scoliomassage authors" CACHE STRING
    "copyright holder written into the packages' copyright files")
set(SCOLIOMASSAGE_HOMEPAGE "https://scoliomassage.invalid/" CACHE STRING "the project's home page")
set(SCOLIOMASSAGE_MAINTAINER "scoliomassage maintainers <maintainers@scoliomassage.invalid>" CACHE STRING
    "the packages' Maintainer field")

# The systemd unit, with the paths of the prefix it is installed to (decided
# at install time: /usr for the package, anything for --prefix), and the
# package's system user instead of DynamicUser: the package owns
# /var/lib/scoliomassage, so backups and the admin tool can use it too.
install(CODE "
  file(READ \"${PROJECT_SOURCE_DIR}/deploy/systemd/scoliomassaged.service\" unit)
  string(REPLACE \"/usr/local\" \"\${CMAKE_INSTALL_PREFIX}\" unit \"\${unit}\")
  string(REPLACE \"DynamicUser=yes\" \"User=scoliomassage\\nGroup=scoliomassage\" unit \"\${unit}\")
  string(REPLACE \"# A throwaway user per run; /var/lib/scoliomassage (SQLite) is owned by it.\"
                 \"# The package's system user owns /var/lib/scoliomassage (SQLite).\" unit \"\${unit}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/packaging/scoliomassaged.service\" \"\${unit}\")
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES \"${PROJECT_BINARY_DIR}/packaging/scoliomassaged.service\")
  " COMPONENT server)
# Copied to /etc/scoliomassage/scoliomassaged.env by the package's postinst
# when absent (so `cmake --install --prefix` never writes to /etc).
install(FILES ${PROJECT_SOURCE_DIR}/deploy/scoliomassaged.env.example
  DESTINATION ${CMAKE_INSTALL_DATADIR}/scoliomassage COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)

# Debian wants a copyright file per package.
configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/copyright.in ${PROJECT_BINARY_DIR}/packaging/copyright @ONLY)
foreach(component_package server:scoliomassage plugin:libscoliomassage-plugin1
                          plugin_dev:libscoliomassage-plugin-dev)
  string(REPLACE ":" ";" pair ${component_package})
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/copyright
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endforeach()

set(CPACK_PACKAGE_NAME scoliomassage)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "${SCOLIOMASSAGE_COPYRIGHT}")
set(CPACK_PACKAGE_CONTACT "${SCOLIOMASSAGE_MAINTAINER}")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: each package's own first description
# line is its synopsis (CPack would put the common one before every package's).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL server plugin plugin_dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)  # fast to build; xz saves little on stripped binaries
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SCOLIOMASSAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${SCOLIOMASSAGE_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME scoliomassage)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_SERVER_DESCRIPTION
"massage protocols and outcomes for scoliosis care (gRPC service)
scoliomassaged recommends the day's massage protocol at check-in, or says
defer or refer when screening finds a reason not to massage, and keeps
session outcomes as an append-only clinical record (SQLite or PostgreSQL).
Also the scoliomassage command-line client, scoliomassage-admin (backup,
verify, data-subject export) and scoliomassage-import, and a systemd unit.
Massage is supportive care for pain and tension; it does not straighten a
spine.")
# useradd and userdel are in passwd (essential); nothing else is needed.
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/deploy/debian/postinst;${PROJECT_SOURCE_DIR}/deploy/debian/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/postrm")

set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME libscoliomassage-plugin1)
set(CPACK_DEBIAN_PLUGIN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PLUGIN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PLUGIN_DESCRIPTION
"scoliomassage host plugin (runtime)
libscoliomassage_plugin.so.1: the stable C ABI through which clinic
software (C, C#, Java, PHP, Python, Delphi) calls the scoliomassage
service, with JSON strings in and out and an offline outbox.")

set(CPACK_DEBIAN_PLUGIN_DEV_PACKAGE_NAME libscoliomassage-plugin-dev)
set(CPACK_DEBIAN_PLUGIN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PLUGIN_DEV_PACKAGE_DEPENDS "libscoliomassage-plugin1 (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_PLUGIN_DEV_DESCRIPTION
"scoliomassage host plugin (development files)
The header scoliomassage/plugin.h, the libscoliomassage_plugin.so link,
pkg-config's scoliomassage-plugin and the CMake package ScoliomassagePlugin
(find_package, target Scoliomassage::plugin).")

include(CPack)
