// Tiled matrix × matrix over Q5_K weights: see matmul.glsl.
#version 450
#define TYPE_Q5_K
#include "matmul.glsl"
