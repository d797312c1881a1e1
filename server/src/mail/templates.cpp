#include <string_view>

#include "mail/mailer.h"

namespace veza::mail {

namespace {

struct Template {
  std::string_view subject;
  std::string_view body;  // paragraphs separated by blank lines; {{link}} becomes a link in HTML
};

// Paragraph text with {{var}} placeholders, one entry per template and language.
const Template* Find(std::string_view name, std::string_view lang) {
  static const std::map<std::pair<std::string_view, std::string_view>, Template> kTemplates = {
      {{"verify_email", "en"},
       {"Confirm your email address for {{instance}}",
        "Hello {{username}},\n\nPlease confirm your email address by opening this link within 48 hours:\n\n"
        "{{link}}\n\nIf you did not create an account, you can ignore this message."}},
      {{"verify_email", "fr"},
       {"Confirmez votre adresse e-mail sur {{instance}}",
        "Bonjour {{username}},\n\nConfirmez votre adresse e-mail en ouvrant ce lien dans les 48 heures :\n\n"
        "{{link}}\n\nSi vous n'avez pas créé de compte, ignorez ce message."}},
      {{"password_reset", "en"},
       {"Reset your {{instance}} password",
        "Hello {{username}},\n\nSomeone asked to reset the password of your account. Open this link within one "
        "hour to choose a new password (it works once):\n\n{{link}}\n\nIf it was not you, ignore this message: "
        "your password stays the same."}},
      {{"password_reset", "fr"},
       {"Réinitialisez votre mot de passe {{instance}}",
        "Bonjour {{username}},\n\nQuelqu'un a demandé à réinitialiser le mot de passe de votre compte. Ouvrez ce "
        "lien dans l'heure pour en choisir un nouveau (il ne fonctionne qu'une fois) :\n\n{{link}}\n\nSi ce "
        "n'était pas vous, ignorez ce message : votre mot de passe reste inchangé."}},
      {{"password_changed", "en"},
       {"Your {{instance}} password was changed",
        "Hello {{username}},\n\nThe password of your account was just changed and your other sessions were "
        "signed out.\n\nIf this was not you, reset your password at once: {{link}}"}},
      {{"password_changed", "fr"},
       {"Votre mot de passe {{instance}} a été modifié",
        "Bonjour {{username}},\n\nLe mot de passe de votre compte vient d'être modifié et vos autres sessions "
        "ont été fermées.\n\nSi ce n'était pas vous, réinitialisez-le tout de suite : {{link}}"}},
      {{"login_failures", "en"},
       {"Repeated failed sign-ins on your {{instance}} account",
        "Hello {{username}},\n\nThere were {{count}} failed attempts to sign in to your account. Further attempts "
        "are being slowed down.\n\nIf this was not you, consider changing your password: {{link}}"}},
      {{"login_failures", "fr"},
       {"Échecs de connexion répétés sur votre compte {{instance}}",
        "Bonjour {{username}},\n\nIl y a eu {{count}} tentatives de connexion échouées sur votre compte. Les "
        "tentatives suivantes sont ralenties.\n\nSi ce n'était pas vous, pensez à changer votre mot de passe : "
        "{{link}}"}},
  };
  auto it = kTemplates.find({name, lang});
  if (it == kTemplates.end()) it = kTemplates.find({name, "en"});
  return it == kTemplates.end() ? nullptr : &it->second;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Substitute(std::string_view text, const std::map<std::string, std::string>& vars, bool html) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      out += html ? Escape(text.substr(i)) : std::string(text.substr(i));
      break;
    }
    out += html ? Escape(text.substr(i, open - i)) : std::string(text.substr(i, open - i));
    size_t close = text.find("}}", open);
    std::string name(text.substr(open + 2, close - open - 2));
    auto it = vars.find(name);
    std::string value = it == vars.end() ? "" : it->second;
    if (!html) {
      out += value;
    } else if (name == "link") {
      out += "<a href=\"" + Escape(value) + "\">" + Escape(value) + "</a>";
    } else {
      out += Escape(value);
    }
    i = close + 2;
  }
  return out;
}

}  // namespace

Result<Rendered> Render(const Message& message, const std::string& instance_name) {
  const Template* t = Find(message.template_name, message.language);
  if (t == nullptr) return Internal("unknown mail template " + message.template_name);
  std::map<std::string, std::string> vars = message.vars;
  vars.emplace("instance", instance_name);
  Rendered r;
  r.subject = Substitute(t->subject, vars, false);
  r.text = Substitute(t->body, vars, false) + "\n\n-- \n" + instance_name + "\n";
  std::string html_body;
  std::string_view body = t->body;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find("\n\n", start);
    std::string_view para = body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    html_body += "<p>" + Substitute(para, vars, true) + "</p>\n";
    if (end == std::string_view::npos) break;
    start = end + 2;
  }
  std::string lang = message.language == "fr" ? "fr" : "en";
  r.html = "<!DOCTYPE html>\n<html lang=\"" + lang + "\"><head><meta charset=\"utf-8\"><title>" + Escape(r.subject) +
           "</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5\">\n" + html_body +
           "<p style=\"color:#666\">" + Escape(instance_name) + "</p>\n</body></html>\n";
  return r;
}

}  // namespace veza::mail
