// Tiled matrix × matrix over Q4_1 weights: see matmul.glsl.
#version 450
#define TYPE_Q4_1
#include "matmul.glsl"
