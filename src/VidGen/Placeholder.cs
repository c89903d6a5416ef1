namespace VidGen;
