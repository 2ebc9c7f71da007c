// Tiled matrix × matrix over F32 weights: see matmul.glsl.
#version 450
#define TYPE_F32
#include "matmul.glsl"
