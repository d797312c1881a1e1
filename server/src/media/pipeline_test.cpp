#include "media/pipeline.h"

#include <gtest/gtest.h>

int main_placeholder_never_used();
