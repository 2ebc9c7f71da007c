// Tiled matrix × matrix over Q8_0 weights: see matmul.glsl.
#version 450
#define TYPE_Q8_0
#include "matmul.glsl"
