// Tiled matrix × matrix over Q6_K weights: see matmul.glsl.
#version 450
#define TYPE_Q6_K
#include "matmul.glsl"
