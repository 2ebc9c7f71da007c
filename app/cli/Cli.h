// The `hearth SUBCOMMAND ...` command line. Each subcommand lives in its own
// *Command.cpp and is listed in Cli.cpp's table.
#pragma once

#include "hearth/model.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hearth::cli {

// Runs the subcommand named by argv[1] and returns its exit status, or nullopt when
// argv names no subcommand (then the caller opens the window).
std::optional<int> run(int argc, char *argv[]);

using Args = std::span<const std::string>; // the arguments after the subcommand name

int inspectCommand(Args args);
int modelsCommand(Args args);
int generateCommand(Args args);
int devicesCommand(Args args);
int tokenizeCommand(Args args);
int chatCommand(Args args);
int benchCommand(Args args);
int conversationsCommand(Args args);
int searchCommand(Args args);
int exportCommand(Args args);
int importCommand(Args args);
int benchStoreCommand(Args args);

// Shared helpers for subcommands.
void printError(std::string_view message); // "hearth: <message>" on stderr, one line
// Value of "--name VALUE" or "--name=VALUE"; nullopt if absent.
std::optional<std::string> option(Args args, std::string_view name);
bool flag(Args args, std::string_view name);

} // namespace hearth::cli
