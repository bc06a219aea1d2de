package wxapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
)

func TestClassification(t *testing.T) {
	tests := []struct {
		name                                 string
		err                                  error
		token, retry, perm, network, notSent bool
	}{
		{"busy", newError("/x", -1, "system error"), false, true, false, false, false},
		{"minute quota", newError("/x", 45011, "api minute-quota reach limit"), false, true, false, false, false},
		{"token dead", newError("/x", 40001, "invalid credential"), true, false, false, false, false},
		{"token missing", newError("/x", 41001, "access_token missing"), true, false, false, false, false},
		{"consumed", fmt.Errorf("wrapped: %w", newError("/x", 40099, "invalid code")), false, false, true, false, false},
		{"daily quota", newError("/x", 45009, "reach max api daily quota limit"), false, false, false, false, false},
		{"refused dial", &NetError{Endpoint: "/x", Sent: false, Err: errors.New("connection refused")}, false, false, false, true, true},
		{"answer lost", &NetError{Endpoint: "/x", Sent: true, Err: errors.New("EOF")}, false, false, false, true, false},
		{"gateway lost the answer", &HTTPError{StatusCode: 504, Endpoint: "/x"}, false, false, false, true, false},
		{"proxy unavailable", &HTTPError{StatusCode: 503, Endpoint: "/x"}, false, true, false, false, false},
		{"no token", &TokenFetchError{Endpoint: "/x", Err: &NetError{Sent: true, Err: errors.New("EOF")}}, false, false, false, true, true},
		{"deadline waiting for token", &TokenFetchError{Endpoint: "/x", Err: context.DeadlineExceeded}, false, false, false, true, true},
		{"bad request", fmt.Errorf("x: %w", ErrBadRequest), false, false, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []bool{IsTokenError(tt.err), IsRetryable(tt.err), IsPermanent(tt.err), IsNetworkError(tt.err), IsNotSent(tt.err)}
			want := []bool{tt.token, tt.retry, tt.perm, tt.network, tt.notSent}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("token,retry,perm,network,notSent = %v, want %v", got, want)
			}
		})
	}
}

func TestErrorParsesRIDAndIP(t *testing.T) {
	e := newError("/cgi-bin/stable_token", 40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 6565f1a2-0b1c2d3e-4f5a6b7c")
	if e.IP != "203.0.113.7" || e.RID != "6565f1a2-0b1c2d3e-4f5a6b7c" {
		t.Errorf("IP, RID = %q, %q", e.IP, e.RID)
	}
	if code, ok := ErrorCode(fmt.Errorf("x: %w", e)); !ok || code != 40164 {
		t.Errorf("ErrorCode = %d, %v", code, ok)
	}
	key, args := Describe(e)
	if key != "wx.err.40164" || args["IP"] != "203.0.113.7" {
		t.Errorf("Describe = %q, %v", key, args)
	}
}

func TestRedaction(t *testing.T) {
	rd := redactor{secrets: []string{"s3cr3t-app-secret"}}
	in := `Get "http://h/cgi-bin/token?appid=wx1&secret=s3cr3t-app-secret&access_token=TOK123": dial refused; echo s3cr3t-app-secret TOK123`
	got := rd.redact(in, "TOK123")
	for _, leak := range []string{"s3cr3t-app-secret", "TOK123"} {
		if strings.Contains(got, leak) {
			t.Errorf("redact leaves %q in %q", leak, got)
		}
	}
}

// Every errcode of the table and every key Describe can return has words in both languages.
func TestTranslationsCoverEveryKey(t *testing.T) {
	keys := []string{"wx.err.unknown"}
	for _, c := range KnownCodes() {
		keys = append(keys, Explain(c).Key)
	}
	for _, k := range []string{"token_throttled", "cancelled", "not_sent", "answer_lost", "http", "bad_request", "bad_answer", "failed"} {
		keys = append(keys, "wx.client."+k)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		data, err := fs.ReadFile(os.DirFS("../assets/translations"), "wxapi."+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if m[k] == "" {
				t.Errorf("%s: no words for %q", lang, k)
			}
		}
		if len(m) != len(keys) {
			t.Errorf("%s: %d keys, want %d (a key nobody uses?)", lang, len(m), len(keys))
		}
	}
}

func TestMarshalJSONHasNoUnicodeEscapes(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"满100减20 <b>&", `{"t":"满100减20 <b>&"}`, false},
		{"line\u2028sep\u2029", "{\"t\":\"line\u2028sep\u2029\"}", false},
		{`back\u0041slash`, `{"t":"back\\u0041slash"}`, false},
		{"tab\tnl\n", `{"t":"tab\tnl\n"}`, false},
		{"bell\a", "", true},
		{"bad\xffutf8", "", true},
	}
	for _, tt := range tests {
		got, err := marshalJSON(map[string]string{"t": tt.in})
		if (err != nil) != tt.wantErr {
			t.Errorf("marshalJSON(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			if !errors.Is(err, ErrBadRequest) {
				t.Errorf("marshalJSON(%q) err = %v, want ErrBadRequest", tt.in, err)
			}
			continue
		}
		if string(got) != tt.want {
			t.Errorf("marshalJSON(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil || back["t"] != tt.in {
			t.Errorf("round trip of %q = %q, %v", tt.in, back["t"], err)
		}
	}
}
