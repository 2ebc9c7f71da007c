# Hearth: the two commands.
#   make run    installs what is missing, builds, fetches the demo model, starts Hearth
#   make test   the same setup, then the whole test suite
BUILD ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= $(or $(HEARTH_DATA_DIR),$(HOME)/.local/share/Hearth)

.PHONY: run test setup build model clean

setup:
	@packaging/bootstrap.sh
	@packaging/fetch-demo-model.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

model: setup
	@mkdir -p "$(DATA_DIR)/models"
	@[ -f "$(DATA_DIR)/models/SmolLM2-135M-Instruct.Q4_1.gguf" ] || \
	  cp .cache/models/SmolLM2-135M-Instruct.Q4_1.gguf "$(DATA_DIR)/models/"

run: build model
	$(BUILD)/bin/hearth

test: build
	@packaging/fetch-gemma-model.sh
	packaging/run-tests.sh $(BUILD)

clean:
	rm -rf $(BUILD)
