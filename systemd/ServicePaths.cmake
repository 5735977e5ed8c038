# Where the service's files go for an install prefix. Called at configure time (the package's conffiles) and at
# install time (the unit and the config name absolute paths, and `cmake --install --prefix` or cpack may choose
# another prefix than the build's).
#
# The prefix /usr is the distribution's: configuration in /etc (GNUInstallDirs' special case) and the unit where
# Debian 12 keeps units. Any other prefix keeps everything under it; systemd also reads /usr/local/lib/systemd/system.
function(sluice_service_paths prefix sysconfdir unit_dir)
  if(IS_ABSOLUTE "${sysconfdir}")
    set(etc "${sysconfdir}")
  elseif(prefix STREQUAL "/usr")
    set(etc "/${sysconfdir}")
  else()
    set(etc "${prefix}/${sysconfdir}")
  endif()
  if(unit_dir STREQUAL "")
    if(prefix STREQUAL "/usr")
      set(unit_dir /lib/systemd/system)
    else()
      set(unit_dir "${prefix}/lib/systemd/system")
    endif()
  endif()
  set(SLUICE_ETC_DIR "${etc}" PARENT_SCOPE)
  set(SLUICE_CONF_DIR "${etc}/sluice" PARENT_SCOPE)
  set(SLUICE_UNIT_DIR "${unit_dir}" PARENT_SCOPE)
endfunction()
