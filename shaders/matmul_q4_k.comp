// Tiled matrix × matrix over Q4_K weights: see matmul.glsl.
#version 450
#define TYPE_Q4_K
#include "matmul.glsl"
