# Drop-in checks: programs that run under LD_PRELOAD=libhb-<backend>.so and
# prove first that the preload is live (hb_dropin_name names the backend).
# Included from tests/allocators/CMakeLists.txt.  Registered only when
# HB_PRELOAD_TESTS is ON (a sanitizer runtime must come first in a process,
# so sanitizer builds turn it off).
if(HB_PRELOAD_TESTS)
  set(hb_dropin_programs threads fork api)
  foreach(prog ${hb_dropin_programs})
    add_executable(dropin_${prog} ${CMAKE_CURRENT_LIST_DIR}/dropin_${prog}.c)
    # -fno-builtin: the compiler must not reason about malloc's results (clang
    # elides malloc(SIZE_MAX) and assumes it succeeded).
    target_compile_options(dropin_${prog} PRIVATE -fno-builtin)
    target_link_libraries(dropin_${prog} PRIVATE Threads::Threads ${CMAKE_DL_LIBS})
  endforeach()
  find_program(HB_PYTHON3 python3)
  foreach(backend naive pooled)
    if(NOT TARGET hb-${backend})
      continue()
    endif()
    set(hb_preload "LD_PRELOAD=$<TARGET_FILE:hb-${backend}>")
    foreach(prog ${hb_dropin_programs})
      add_test(NAME alloc.${backend}.dropin_${prog} COMMAND dropin_${prog} ${backend})
      set_tests_properties(alloc.${backend}.dropin_${prog} PROPERTIES
        ENVIRONMENT "${hb_preload}" LABELS "conformance;allocator" TIMEOUT 120)
    endforeach()
    if(HB_PYTHON3)
      add_test(NAME alloc.${backend}.dropin_python
        COMMAND ${HB_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/dropin_python.py ${backend})
      set_tests_properties(alloc.${backend}.dropin_python PROPERTIES
        ENVIRONMENT "${hb_preload}" LABELS "conformance;allocator" TIMEOUT 120)
      # PYTHONMALLOC=malloc: every Python allocation goes through the drop-in.
      add_test(NAME alloc.${backend}.dropin_python_malloc
        COMMAND ${HB_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/dropin_python.py ${backend})
      set_tests_properties(alloc.${backend}.dropin_python_malloc PROPERTIES
        ENVIRONMENT "${hb_preload};PYTHONMALLOC=malloc" LABELS "conformance;allocator" TIMEOUT 120)
    else()
      message(STATUS "heapbench: python3 not found: the drop-in python tests are off")
    endif()
  endforeach()
endif()
