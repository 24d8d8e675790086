package dev.morse.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a spec or suite file (YAML, or JSON when it ends in .json) into a tree, refusing what
 * YAML would quietly accept: a key given twice (YAML keeps the last) and a file that is not
 * UTF-8 text. Every error is one line naming the file, and the line and column where the
 * parser stopped.
 */
public final class SpecFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SpecFile() {
    }

    public static JsonNode read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException("", "spec file not found: " + file);
        } catch (IOException e) {
            throw new SpecException("", "cannot read " + Outputs.cause(e));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SpecException("", file + " is not a text file (not UTF-8); a spec is YAML or JSON text");
        }
        if (text.indexOf('\0') >= 0) {
            throw new SpecException("", file + " is not a text file (it holds NUL bytes); a spec is YAML or JSON text");
        }
        try {
            return (file.toString().endsWith(".json") ? JSON : YAML).readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at != null && at.getLineNr() > 0 ? " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr() : "";
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
            throw new SpecException("", "cannot parse " + file + where + ": " + msg);
        } catch (IOException e) {
            throw new SpecException("", "cannot read " + Outputs.cause(e));
        }
    }
}
