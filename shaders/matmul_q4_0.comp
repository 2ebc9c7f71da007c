// Tiled matrix × matrix over Q4_0 weights: see matmul.glsl.
#version 450
#define TYPE_Q4_0
#include "matmul.glsl"
