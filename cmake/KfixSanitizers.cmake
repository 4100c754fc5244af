# KFIX_SANITIZE=address,undefined instruments kfix's targets.
function(kfix_target_sanitizers target)
  if(KFIX_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${KFIX_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=${KFIX_SANITIZE})
  endif()
endfunction()
if(KFIX_SANITIZE)
  # Instrument everything built here (tests, CLI, libraries) consistently.
  add_compile_options(-fsanitize=${KFIX_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${KFIX_SANITIZE})
endif()
