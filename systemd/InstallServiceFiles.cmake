# Install-time part of systemd/CMakeLists.txt: the unit and the example config name absolute paths, which depend
# on the prefix chosen now (`cmake --install --prefix`, cpack's /usr), not on the build's CMAKE_INSTALL_PREFIX.
# Expects SLUICE_SOURCE_DIR, SLUICE_BINARY_DIR, SLUICE_BINDIR, SLUICE_DOCDIR, SLUICE_SYSCONFDIR and
# SLUICE_SYSTEMD_UNIT_DIR from the install(CODE) that includes it.
include("${SLUICE_SOURCE_DIR}/systemd/ServicePaths.cmake")
sluice_service_paths("${CMAKE_INSTALL_PREFIX}" "${SLUICE_SYSCONFDIR}" "${SLUICE_SYSTEMD_UNIT_DIR}")

foreach(dir BINDIR DOCDIR)
  if(IS_ABSOLUTE "${SLUICE_${dir}}")
    set(full_${dir} "${SLUICE_${dir}}")
  else()
    set(full_${dir} "${CMAKE_INSTALL_PREFIX}/${SLUICE_${dir}}")
  endif()
endforeach()
set(SLUICE_BIN_DIR "${full_BINDIR}")
set(SLUICE_DOC_DIR "${full_DOCDIR}")

set(staged "${SLUICE_BINARY_DIR}/systemd/install")
configure_file("${SLUICE_SOURCE_DIR}/systemd/sluice.service.in" "${staged}/sluice.service" @ONLY)
configure_file("${SLUICE_SOURCE_DIR}/systemd/sluice.json.in" "${staged}/sluice.json" @ONLY)

file(INSTALL "${staged}/sluice.service" DESTINATION "${SLUICE_UNIT_DIR}" PERMISSIONS OWNER_READ OWNER_WRITE
     GROUP_READ WORLD_READ)
file(INSTALL "${staged}/sluice.json" DESTINATION "${SLUICE_CONF_DIR}" PERMISSIONS OWNER_READ OWNER_WRITE
     GROUP_READ WORLD_READ)
file(INSTALL "${SLUICE_SOURCE_DIR}/config/apps/" DESTINATION "${SLUICE_CONF_DIR}/apps" FILES_MATCHING PATTERN "*.json"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL "${SLUICE_SOURCE_DIR}/systemd/logrotate" DESTINATION "${SLUICE_ETC_DIR}/logrotate.d" RENAME sluice
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
