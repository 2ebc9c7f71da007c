# `hearth tokenize` against the llama.cpp fixture of the demo model: every 20th plain string
# through stdin ("-"), a few as the TEXT argument, some --special cases, and --pieces.
# (Every string is compared in tst_tokenizer_llamacpp; this checks the command's plumbing.)
#   cmake -DHEARTH=... -DMODEL=... -DFIXTURE=... -DWORK=... -P check_tokenize_cli.cmake
file(READ "${FIXTURE}" fixture)
file(MAKE_DIRECTORY "${WORK}")
set(failures 0)
set(checked 0)

function(expected_ids section index out)
  string(JSON n LENGTH "${fixture}" ${section} ${index} ids)
  set(ids "")
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON id GET "${fixture}" ${section} ${index} ids ${i})
      list(APPEND ids "${id}")
    endforeach()
  endif()
  list(JOIN ids ", " joined)
  set(${out} "[${joined}]\n" PARENT_SCOPE)
endfunction()

function(check section index how)
  string(JSON text GET "${fixture}" ${section} ${index} text)
  expected_ids(${section} ${index} want)
  set(extra "")
  if(section STREQUAL "special")
    set(extra "--special")
  endif()
  if(how STREQUAL "stdin")
    file(WRITE "${WORK}/input.txt" "${text}")
    execute_process(COMMAND "${HEARTH}" tokenize --model "${MODEL}" ${extra} -
                    INPUT_FILE "${WORK}/input.txt" OUTPUT_VARIABLE got RESULT_VARIABLE rc)
  else()
    execute_process(COMMAND "${HEARTH}" tokenize ${extra} --model "${MODEL}" "${text}"
                    OUTPUT_VARIABLE got RESULT_VARIABLE rc)
  endif()
  math(EXPR n "${checked} + 1")
  set(checked ${n} PARENT_SCOPE)
  if(NOT rc EQUAL 0 OR NOT got STREQUAL want)
    message(SEND_ERROR "${section}[${index}] via ${how}: exit ${rc}\n  want ${want}  got  ${got}")
    math(EXPR n "${failures} + 1")
    set(failures ${n} PARENT_SCOPE)
  endif()
endfunction()

string(JSON plain_count LENGTH "${fixture}" plain)
math(EXPR last "${plain_count} - 1")
foreach(i RANGE 0 ${last} 20)
  string(JSON text GET "${fixture}" plain ${i} text)
  # CMake strings cannot hold NUL (the strings with one are not on this stride), and ';'
  # separates list items: leave those to the C++ test.
  string(FIND "${text}" ";" semicolon)
  string(LENGTH "${text}" length)
  if(semicolon EQUAL -1 AND length GREATER 0)
    check(plain ${i} stdin)
  endif()
endforeach()
foreach(i 0 3 10)
  check(plain ${i} argument)
endforeach()
foreach(i 0 2 5 7)
  check(special ${i} stdin)
endforeach()

# --pieces: one "ID -> 'PIECE'" line per token, control tokens spelled out.
execute_process(COMMAND "${HEARTH}" tokenize --model "${MODEL}" --special --pieces "<|im_start|>Hi"
                OUTPUT_VARIABLE pieces RESULT_VARIABLE rc)
set(want_pieces "     1 -> '<|im_start|>'\n 26843 -> 'Hi'\n") # ids from llama.cpp
if(NOT rc EQUAL 0 OR NOT pieces STREQUAL want_pieces)
  message(SEND_ERROR "--pieces: exit ${rc}\n  want ${want_pieces}  got  ${pieces}")
  math(EXPR failures "${failures} + 1")
endif()

# Misuse is an error with exit status 2, a missing model 1.
execute_process(COMMAND "${HEARTH}" tokenize "text" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 2)
  message(SEND_ERROR "tokenize without --model: exit ${rc}, want 2")
  math(EXPR failures "${failures} + 1")
endif()
execute_process(COMMAND "${HEARTH}" tokenize --model "${WORK}/missing.gguf" "text"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "missing.gguf")
  message(SEND_ERROR "tokenize with a missing model: exit ${rc}, stderr ${err}")
  math(EXPR failures "${failures} + 1")
endif()

message(STATUS "hearth tokenize: ${checked} fixture strings checked, ${failures} failures")
if(failures GREATER 0)
  message(FATAL_ERROR "hearth tokenize differs from llama.cpp")
endif()
