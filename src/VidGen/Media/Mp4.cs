using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VidGen.Media;

/// <summary>
/// MP4 (H.264, yuv420p) through ffmpeg. Writing pipes raw rgb24 frames into ffmpeg's stdin; reading pipes
/// decoded frames out of its stdout as binary PPM (raw rgb24 behind a tiny "P6 width height 255" header, so
/// a rotated or oddly sized stream can never fall out of step with the reader). Any container/codec ffmpeg
/// knows (.mov, .webm, .mkv, .avi) reads the same way.
/// </summary>
public static class Mp4
{
    /// <summary>
    /// H.264 at constant quality 18 (visually near-lossless) in yuv420p, the pixel format every player
    /// decodes; yuv420p needs even sides, so an odd width or height gets one black column or row.
    /// +faststart puts the index first so browsers start playing before the download ends.
    /// </summary>
    public static void Write(Video video, string path, int scale = 1, Ffmpeg? ffmpeg = null)
    {
        var tool = Ffmpeg.Require(ffmpeg);
        int w = video.Width * scale, h = video.Height * scale;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var args = new[]
        {
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{w}x{h}", "-framerate", video.Fps.ToString("R", CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-an",
            "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            Path.GetFullPath(path),
        };
        using var p = Ffmpeg.Start(tool.FfmpegPath, args, stdin: true);
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        bool brokenPipe = false;
        try
        {
            var buffer = new byte[w * h * 3];
            var input = p.StandardInput.BaseStream;
            for (int f = 0; f < video.Frames; f++)
            {
                FrameImages.ToRgbBytes(video, f, scale, buffer);
                input.Write(buffer);
            }
            input.Flush();
        }
        catch (IOException) { brokenPipe = true; } // ffmpeg stopped reading: its stderr says why
        finally { try { p.StandardInput.Close(); } catch (IOException) { brokenPipe = true; } }
        p.WaitForExit();
        stdout.Wait();
        if (p.ExitCode != 0 || brokenPipe)
        {
            try { File.Delete(path); } catch (IOException) { }
            throw new IOException($"{path}: ffmpeg could not write the MP4 ({Ffmpeg.LastLine(stderr.Result)})");
        }
    }

    public static Video Read(string path, ReadOptions? options = null, Ffmpeg? ffmpeg = null)
    {
        options ??= ReadOptions.Default;
        options.Validate();
        var tool = Ffmpeg.Require(ffmpeg);
        MediaFiles.CheckFile(path, options);
        double fps = options.DefaultFps;
        if (tool.FfprobePath is not null)
        {
            var probe = Probe(tool, path);
            options.CheckFrameSize(path, probe.Width, probe.Height);
            if (probe.Fps > 0) fps = probe.Fps;
        }

        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", Path.GetFullPath(path), "-map", "0:v:0", "-an", "-sn" };
        if (options.FitSquare is int s)
            // Same geometry as FrameImages.FitSquare: the centred square of side min(w, h), then resized.
            args.AddRange(["-vf", $"crop='min(iw,ih)':'min(iw,ih)',scale={s}:{s}:flags=bicubic"]);
        if (options.MaxFrames < int.MaxValue) args.AddRange(["-frames:v", options.MaxFrames.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1"]);

        using var p = Ffmpeg.Start(tool.FfmpegPath, args, stdin: false);
        var stderr = p.StandardError.ReadToEndAsync();
        var builder = new VideoBuilder(path, options);
        try
        {
            var output = new BufferedStream(p.StandardOutput.BaseStream, 1 << 16);
            while (!builder.Full && Ppm.TryReadHeader(output, out int w, out int h))
            {
                options.CheckFrameSize(path, w, h);
                options.CheckTotal(path, builder.Count + 1, w, h);
                var frame = new byte[w * h * 3];
                output.ReadExactly(frame);
                builder.AddRgb(frame, w, h);
            }
        }
        catch (EndOfStreamException) { Ffmpeg.KillQuietly(p); p.WaitForExit(); throw new MediaFormatException(path, $"ffmpeg stopped in the middle of a frame ({Ffmpeg.LastLine(stderr.Result)})"); }
        catch (InvalidDataException e) { Ffmpeg.KillQuietly(p); throw new MediaFormatException(path, e.Message); }
        catch { Ffmpeg.KillQuietly(p); throw; }
        bool stoppedEarly = builder.Full;
        if (stoppedEarly) Ffmpeg.KillQuietly(p); // enough frames: stop decoding the rest
        p.WaitForExit();
        string errors = stderr.Result;
        if (!stoppedEarly && p.ExitCode != 0)
            throw new MediaFormatException(path, $"not a readable video ({Ffmpeg.LastLine(errors)})");
        // A file cut short still opens when its index comes first; the demuxer then reports a partial file.
        if (!stoppedEarly && errors.Contains("partial file", StringComparison.OrdinalIgnoreCase))
            throw new MediaFormatException(path, $"truncated video ({Ffmpeg.LastLine(errors)})");
        if (builder.Count == 0) throw new MediaFormatException(path, "video contains no frames");
        return builder.Build(fps);
    }

    internal sealed record ProbeResult(int Width, int Height, double Fps, long? FrameCount, string Codec);

    /// <summary>ffprobe's view of the first video stream: size, frame rate, frame count (when the container says), codec.</summary>
    internal static ProbeResult Probe(Ffmpeg tool, string path)
    {
        if (tool.FfprobePath is null) throw new FfmpegNotFoundException();
        using var p = Ffmpeg.Start(tool.FfprobePath, new[]
        {
            "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,pix_fmt", "-of", "json", Path.GetFullPath(path),
        }, stdin: false);
        var stderr = p.StandardError.ReadToEndAsync();
        string json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new MediaFormatException(path, $"not a readable video ({Ffmpeg.LastLine(stderr.Result)})");
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
                throw new MediaFormatException(path, "has no video stream");
            var st = streams[0];
            int w = st.TryGetProperty("width", out var we) ? we.GetInt32() : 0, h = st.TryGetProperty("height", out var he) ? he.GetInt32() : 0;
            double fps = Rate(st, "avg_frame_rate") is > 0 and var a ? a : Rate(st, "r_frame_rate");
            long? n = st.TryGetProperty("nb_frames", out var nf) && long.TryParse(nf.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var nv) ? nv : null;
            string codec = st.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "" : "";
            if (st.TryGetProperty("pix_fmt", out var pf)) codec += "/" + pf.GetString();
            return new ProbeResult(w, h, fps, n, codec);
        }
        catch (JsonException e) { throw new MediaFormatException(path, $"ffprobe gave unreadable output ({e.Message})"); }
    }

    static double Rate(JsonElement st, string key)
    {
        if (!st.TryGetProperty(key, out var e) || e.GetString() is not string s) return 0;
        var parts = s.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den) && den > 0)
            return num / den;
        return 0;
    }
}

/// <summary>Binary PPM ("P6") headers as ffmpeg's ppm encoder writes them: P6, width, height, 255, each separated by whitespace.</summary>
internal static class Ppm
{
    public static bool TryReadHeader(Stream s, out int width, out int height)
    {
        width = height = 0;
        int first = s.ReadByte();
        if (first < 0) return false; // clean end of stream between frames
        if (first != 'P' || s.ReadByte() != '6') throw new InvalidDataException("ffmpeg sent something other than PPM frames");
        width = ReadNumber(s); height = ReadNumber(s);
        int max = ReadNumber(s);
        if (max != 255) throw new InvalidDataException($"ffmpeg sent {max + 1}-level PPM frames, expected 8-bit");
        return true;
    }

    static int ReadNumber(Stream s)
    {
        int c;
        do { c = s.ReadByte(); if (c == '#') while (c >= 0 && c != '\n') c = s.ReadByte(); } while (c is ' ' or '\n' or '\r' or '\t');
        if (c < 0) throw new EndOfStreamException();
        var sb = new StringBuilder();
        while (c is >= '0' and <= '9') { sb.Append((char)c); c = s.ReadByte(); }
        // 'c' is the single whitespace byte after the number (after maxval it is the last header byte).
        if (sb.Length == 0 || sb.Length > 9) throw new InvalidDataException("malformed PPM header from ffmpeg");
        return int.Parse(sb.ToString(), CultureInfo.InvariantCulture);
    }
}
