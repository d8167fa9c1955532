#include "PictureCodecs.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/// libjpeg's error manager, extended with where to jump back to, the most
/// scans a file may have, and the message of the first warning or of a
/// limit reached.
struct pc_error {
  struct jpeg_error_mgr manager;
  jmp_buf back;
  int max_scans;
  char stop[JMSG_LENGTH_MAX];
};

static void pc_error_exit(j_common_ptr info) {
  struct pc_error *error = (struct pc_error *)info->err;
  (*info->err->format_message)(info, error->stop);
  longjmp(error->back, 1);
}

/// A warning (corrupt data, which libjpeg would paint over with grey, or an
/// inconsistent progression, after which it would go on reading every scan)
/// ends the decoding at once, in whichever phase it comes.
static void pc_emit_message(j_common_ptr info, int level) {
  struct pc_error *error = (struct pc_error *)info->err;
  if (level < 0) {
    char text[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, text);
    j_decompress_ptr decompress = (j_decompress_ptr)info;
    if (info->is_decompressor && decompress->input_scan_number > 1)
      snprintf(error->stop, sizeof error->stop, "at scan %d: %s", decompress->input_scan_number, text);
    else
      snprintf(error->stop, sizeof error->stop, "%s", text);
    longjmp(error->back, 1);
  }
}

/// Called by libjpeg as it reads the scans of a multi-scan file (in
/// jpeg_start_decompress, before the first row comes out): a file of more
/// scans than `max_scans` is refused, since each scan costs a pass over the
/// whole picture's coefficients.
static void pc_progress(j_common_ptr info) {
  struct pc_error *error = (struct pc_error *)info->err;
  j_decompress_ptr decompress = (j_decompress_ptr)info;
  if (error->max_scans > 0 && decompress->input_scan_number > error->max_scans) {
    snprintf(error->stop, sizeof error->stop, "more than %d scans", error->max_scans);
    longjmp(error->back, 2);
  }
}

static void pc_copy(char *message, size_t message_size, const char *text) {
  if (message_size == 0) return;
  snprintf(message, message_size, "%s", text);
}

/// Sets `info` up to read the JPEG in `data` and reads its header; the
/// caller has called setjmp on `error->back` first.
static void pc_open(struct jpeg_decompress_struct *info, const unsigned char *data, size_t size) {
  jpeg_create_decompress(info);
  jpeg_mem_src(info, data, (unsigned long)size);
  jpeg_read_header(info, TRUE);
}

static void pc_set_up(struct jpeg_decompress_struct *info, struct pc_error *error,
                      struct jpeg_progress_mgr *progress, int max_scans) {
  info->err = jpeg_std_error(&error->manager);
  error->manager.error_exit = pc_error_exit;
  error->manager.emit_message = pc_emit_message;
  error->max_scans = max_scans;
  error->stop[0] = 0;
  progress->progress_monitor = pc_progress;
}

int pc_jpeg_read_header(const unsigned char *data, size_t size, struct pc_jpeg_header *header, char *message,
                        size_t message_size) {
  struct jpeg_decompress_struct info;
  struct pc_error error;
  struct jpeg_progress_mgr progress;
  pc_set_up(&info, &error, &progress, 0);
  if (setjmp(error.back)) {
    pc_copy(message, message_size, error.stop);
    jpeg_destroy_decompress(&info);
    return 1;
  }
  pc_open(&info, data, size);
  header->width = (int)info.image_width;
  header->height = (int)info.image_height;
  header->arithmetic = info.arith_code ? 1 : 0;
  header->buffered = info.progressive_mode || info.comps_in_scan < info.num_components;
  header->least_bytes = SIZE_MAX;
  header->coefficient_bytes = 0;
  for (int c = 0; c < info.num_components; c++) {
    jpeg_component_info *component = &info.comp_info[c];
    size_t blocks = (size_t)component->width_in_blocks * component->height_in_blocks;
    // A component's first scan gives each of its blocks a DC difference of at
    // least one bit; a component never scanned stays flat and costs nothing,
    // so the file holds at least the smallest component's bits.
    if (blocks / 8 < header->least_bytes) header->least_bytes = blocks / 8;
    // libjpeg keeps a multi-scan file's coefficients whole, 64 of 2 bytes a
    // block, rows and columns rounded up to the component's sampling factors.
    size_t across = (component->width_in_blocks + component->h_samp_factor - 1) / component->h_samp_factor;
    size_t down = (component->height_in_blocks + component->v_samp_factor - 1) / component->v_samp_factor;
    header->coefficient_bytes +=
        across * component->h_samp_factor * down * component->v_samp_factor * DCTSIZE2 * sizeof(JCOEF);
  }
  if (!header->buffered) header->coefficient_bytes = 0;
  header->cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
  jpeg_destroy_decompress(&info);
  return 0;
}

int pc_jpeg_decode_grey(const unsigned char *data, size_t size, int scale_denom, int max_scans, unsigned char *out,
                        size_t capacity, int *width, int *height, char *message, size_t message_size) {
  struct jpeg_decompress_struct info;
  struct pc_error error;
  struct jpeg_progress_mgr progress;
  pc_set_up(&info, &error, &progress, max_scans);
  int failure = setjmp(error.back);
  if (failure) {
    pc_copy(message, message_size, error.stop);
    jpeg_destroy_decompress(&info);
    return failure;
  }
  pc_open(&info, data, size);
  info.progress = &progress;
  info.out_color_space = JCS_GRAYSCALE;
  info.scale_num = 1;
  info.scale_denom = (unsigned int)scale_denom;
  jpeg_start_decompress(&info);
  size_t stride = info.output_width;
  if (info.output_components != 1 || stride * info.output_height > capacity) {
    pc_copy(message, message_size, "the decoded picture does not fit the space its header promised");
    jpeg_destroy_decompress(&info);
    return 1;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  *width = (int)info.output_width;
  *height = (int)info.output_height;
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return 0;
}

/// A progressive scan script of `count` scans (2…127) for one component:
/// the DC coefficients, then each AC coefficient alone without its last
/// bit, then each one's last bit. Every prefix of it is a valid progression.
static jpeg_scan_info *pc_progression(int count) {
  jpeg_scan_info *scans = calloc((size_t)count, sizeof(jpeg_scan_info));
  for (int k = 0; k < count; k++) {
    scans[k].comps_in_scan = 1;
    scans[k].component_index[0] = 0;
    int coefficient = k == 0 ? 0 : (k - 1) % 63 + 1;
    scans[k].Ss = scans[k].Se = coefficient;
    scans[k].Ah = k > 63 ? 1 : 0;
    scans[k].Al = k == 0 ? 0 : (k > 63 ? 0 : 1);
  }
  return scans;
}

int pc_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality, int scans,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size) {
  struct jpeg_compress_struct info;
  struct pc_error error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = pc_error_exit;
  unsigned char *buffer = NULL;
  unsigned long length = 0;
  jpeg_scan_info *script = NULL;
  if (setjmp(error.back)) {
    pc_copy(message, message_size, error.stop);
    jpeg_destroy_compress(&info);
    free(buffer);
    free(script);
    return 1;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &length);
  info.image_width = (JDIMENSION)width;
  info.image_height = (JDIMENSION)height;
  info.input_components = components;
  info.in_color_space = components == 4 ? JCS_CMYK : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  if (scans > 1) {
    script = pc_progression(scans);
    info.scan_info = script;
    info.num_scans = scans;
  }
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)width * (size_t)components * info.next_scanline);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  free(script);
  *out = buffer;
  *out_size = length;
  return 0;
}

void pc_free(void *pointer) { free(pointer); }

void pc_area_average(const unsigned char *pixels, int width, int height, int factor, double *out) {
  int out_width = (width + factor - 1) / factor;
  int out_height = (height + factor - 1) / factor;
  double *sums = calloc((size_t)out_width, sizeof(double));
  for (int r = 0; r < out_height; r++) {
    memset(sums, 0, sizeof(double) * (size_t)out_width);
    int first = r * factor;
    int last = first + factor < height ? first + factor : height;
    for (int y = first; y < last; y++) {
      const unsigned char *row = pixels + (size_t)y * (size_t)width;
      for (int x = 0; x < width; x++) sums[x / factor] += row[x];
    }
    for (int c = 0; c < out_width; c++) {
      int columns = (c + 1) * factor < width ? factor : width - c * factor;
      out[r + (size_t)c * (size_t)out_height] = sums[c] / (double)(columns * (last - first));
    }
  }
  free(sums);
}

/// The running maximum (or minimum) of `count` values `stride` apart over
/// windows of `radius` either side, cut at the ends (van Herk / Gil–Werman:
/// prefix and suffix extremes within blocks of the window's width).
static void pc_extreme_line(double *line, int count, long stride, int radius, int maximum, double *scratch) {
  int span = 2 * radius + 1;
  double *prefix = scratch, *suffix = scratch + count, *copy = scratch + 2 * count;
  for (int k = 0; k < count; k++) copy[k] = line[k * stride];
  for (int k = 0; k < count; k++) {
    double v = copy[k];
    if (k % span == 0) prefix[k] = v;
    else prefix[k] = maximum ? (v > prefix[k - 1] ? v : prefix[k - 1]) : (v < prefix[k - 1] ? v : prefix[k - 1]);
  }
  for (int k = count - 1; k >= 0; k--) {
    double v = copy[k];
    if (k == count - 1 || (k + 1) % span == 0) suffix[k] = v;
    else suffix[k] = maximum ? (v > suffix[k + 1] ? v : suffix[k + 1]) : (v < suffix[k + 1] ? v : suffix[k + 1]);
  }
  for (int k = 0; k < count; k++) {
    int from = k - radius < 0 ? 0 : k - radius;
    int to = k + radius > count - 1 ? count - 1 : k + radius;
    // [from, to] is at most one block boundary wide: suffix from `from`, prefix to `to`.
    // Within one block the window starts the block (cut at the left end)
    // or ends at the line's end (cut at the right).
    double a = suffix[from], b = prefix[to];
    if (to / span == from / span) a = b = from % span == 0 ? prefix[to] : suffix[from];
    line[k * stride] = maximum ? (a > b ? a : b) : (a < b ? a : b);
  }
}

void pc_closing(double *values, int rows, int columns, int radius, double *scratch) {
  if (radius < 1) return;
  for (int pass = 0; pass < 2; pass++) {
    int maximum = pass == 0;
    for (int c = 0; c < columns; c++) pc_extreme_line(values + (size_t)c * rows, rows, 1, radius, maximum, scratch);
    for (int r = 0; r < rows; r++) pc_extreme_line(values + r, columns, rows, radius, maximum, scratch);
  }
}
